import type { GbtParams, GbtTree } from "./gbt.js";

/**
 * Exact path-dependent TreeSHAP (Lundberg, Erion & Lee 2018, Algorithm 2; https://arxiv.org/abs/1802.03888),
 * following the reference implementation in shap's `tree_shap.h`. For each feature it returns its Shapley
 * value for the tree's output, where "feature unknown" means "follow both branches, weighted by training
 * cover". The values sum to the margin minus the expected margin, and unlike path attribution (Saabas)
 * they do not favour features split on near the leaves.
 */

interface PathElement {
  feature: number;
  zeroFraction: number;
  oneFraction: number;
  weight: number;
}

function extendPath(
  path: PathElement[],
  depth: number,
  zeroFraction: number,
  oneFraction: number,
  feature: number,
) {
  path[depth] = { feature, zeroFraction, oneFraction, weight: depth === 0 ? 1 : 0 };
  for (let i = depth - 1; i >= 0; i--) {
    path[i + 1]!.weight += (oneFraction * path[i]!.weight * (i + 1)) / (depth + 1);
    path[i]!.weight = (zeroFraction * path[i]!.weight * (depth - i)) / (depth + 1);
  }
}

function unwindPath(path: PathElement[], depth: number, pathIndex: number) {
  const { oneFraction, zeroFraction } = path[pathIndex]!;
  let nextOnePortion = path[depth]!.weight;
  for (let i = depth - 1; i >= 0; i--) {
    if (oneFraction !== 0) {
      const tmp = path[i]!.weight;
      path[i]!.weight = (nextOnePortion * (depth + 1)) / ((i + 1) * oneFraction);
      nextOnePortion = tmp - (path[i]!.weight * zeroFraction * (depth - i)) / (depth + 1);
    } else {
      path[i]!.weight = (path[i]!.weight * (depth + 1)) / (zeroFraction * (depth - i));
    }
  }
  for (let i = pathIndex; i < depth; i++) {
    const next = path[i + 1]!;
    path[i] = {
      feature: next.feature,
      zeroFraction: next.zeroFraction,
      oneFraction: next.oneFraction,
      weight: path[i]!.weight,
    };
  }
}

/** The total weight the path would have with element `pathIndex` removed, without modifying it. */
function unwoundPathSum(path: readonly PathElement[], depth: number, pathIndex: number): number {
  const { oneFraction, zeroFraction } = path[pathIndex]!;
  let nextOnePortion = path[depth]!.weight;
  let total = 0;
  for (let i = depth - 1; i >= 0; i--) {
    if (oneFraction !== 0) {
      const tmp = (nextOnePortion * (depth + 1)) / ((i + 1) * oneFraction);
      total += tmp;
      nextOnePortion = path[i]!.weight - (tmp * zeroFraction * (depth - i)) / (depth + 1);
    } else {
      total += path[i]!.weight / zeroFraction / ((depth - i) / (depth + 1));
    }
  }
  return total;
}

function recurse(
  tree: GbtTree,
  x: ArrayLike<number>,
  phi: Float64Array,
  node: number,
  parentPath: readonly PathElement[],
  parentDepth: number,
  zeroFraction: number,
  oneFraction: number,
  feature: number,
) {
  // Each level works on its own copy so that siblings see the parent's path unchanged.
  const path = parentPath.slice(0, parentDepth).map((e) => ({ ...e }));
  let depth = parentDepth;
  extendPath(path, depth, zeroFraction, oneFraction, feature);

  const split = tree.feature[node]!;
  if (split < 0) {
    const value = tree.value[node]!;
    for (let i = 1; i <= depth; i++) {
      const element = path[i]!;
      const w = unwoundPathSum(path, depth, i);
      phi[element.feature]! += w * (element.oneFraction - element.zeroFraction) * value;
    }
    return;
  }

  const goesLeft = x[split]! <= tree.threshold[node]!;
  const hot = goesLeft ? tree.left[node]! : tree.right[node]!;
  const cold = goesLeft ? tree.right[node]! : tree.left[node]!;
  const cover = tree.cover[node]!;
  const hotZeroFraction = tree.cover[hot]! / cover;
  const coldZeroFraction = tree.cover[cold]! / cover;
  let incomingZeroFraction = 1;
  let incomingOneFraction = 1;

  // A feature split on twice along one path is one player: undo its earlier entry and merge the fractions.
  let pathIndex = 0;
  while (pathIndex <= depth && path[pathIndex]!.feature !== split) pathIndex++;
  if (pathIndex !== depth + 1) {
    incomingZeroFraction = path[pathIndex]!.zeroFraction;
    incomingOneFraction = path[pathIndex]!.oneFraction;
    unwindPath(path, depth, pathIndex);
    depth -= 1;
  }

  recurse(
    tree,
    x,
    phi,
    hot,
    path,
    depth + 1,
    hotZeroFraction * incomingZeroFraction,
    incomingOneFraction,
    split,
  );
  recurse(tree, x, phi, cold, path, depth + 1, coldZeroFraction * incomingZeroFraction, 0, split);
}

/** A tree's output averaged over the training rows (cover-weighted leaf values). */
export function treeExpectation(tree: GbtTree): number {
  const rootCover = tree.cover[0]!;
  let sum = 0;
  for (let node = 0; node < tree.feature.length; node++) {
    if (tree.feature[node]! < 0) sum += tree.value[node]! * tree.cover[node]!;
  }
  return rootCover > 0 ? sum / rootCover : 0;
}

/** Adds one tree's SHAP values for `x` into `phi` (one entry per encoded slot). */
export function addTreeShap(tree: GbtTree, x: ArrayLike<number>, phi: Float64Array): void {
  if (tree.feature[0]! < 0) return;
  recurse(tree, x, phi, 0, [], 0, 1, 1, -1);
}

/** SHAP values per slot; their sum plus `gbtExpectedMargin(params)` is the model's margin for `x`. */
export function gbtContributions(params: GbtParams, x: ArrayLike<number>, width: number): Float64Array {
  const phi = new Float64Array(width);
  for (const tree of params.trees) addTreeShap(tree, x, phi);
  return phi;
}

export function gbtExpectedMargin(params: GbtParams): number {
  let sum = params.baseMargin;
  for (const tree of params.trees) sum += treeExpectation(tree);
  return sum;
}
