import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { ConfigError, ConfigSchema, loadConfig } from "../../src/config.js";

/**
 * The deployment files against security-tests.md section G (G1–G6) and against the code: every YAML
 * document under k8s/ parses, the pods meet the "restricted" Pod Security Standard, probes, disruption
 * budget, autoscaler and network policies are there, and every variable the pods get is one that
 * src/config.ts knows (so the manifests cannot drift from the configuration).
 */
const root = resolve(import.meta.dirname, "../..");
const k8sDir = join(root, "k8s");

interface Manifest {
  file: string;
  doc: any;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(entry.name) ? [path] : [];
  });
}

const manifests: Manifest[] = yamlFiles(k8sDir).flatMap((path) => {
  const file = relative(k8sDir, path);
  return parseAllDocuments(readFileSync(path, "utf8")).flatMap((document) => {
    if (document.errors.length > 0) {
      throw new Error(`${file}: ${document.errors.map((e) => e.message).join("; ")}`);
    }
    const doc = document.toJS();
    return doc === null ? [] : [{ file, doc }];
  });
});

const ofKind = (kind: string, dir = ""): Manifest[] =>
  manifests.filter((m) => m.doc.kind === kind && (dir === "" || m.file.startsWith(dir)));
const one = (kind: string): any => {
  const found = manifests.filter((m) => m.doc.kind === kind && !m.file.includes("/"));
  expect(found, `exactly one ${kind} in k8s/`).toHaveLength(1);
  return found[0]!.doc;
};

const deployment = one("Deployment");
const podSpec = deployment.spec.template.spec;
const podLabels: Record<string, string> = deployment.spec.template.metadata.labels;
const containersOf = (spec: any): any[] => [...(spec.initContainers ?? []), ...spec.containers];
const containers = containersOf(podSpec);
const server = podSpec.containers.find((c: any) => c.name === "server");
/** Every pod k8s/ can start in the namespace: the server's, and the CLI job examples (k8s/jobs/). */
const pods: { name: string; spec: any }[] = [
  { name: "Deployment", spec: podSpec },
  ...ofKind("Job").map((m) => ({ name: `${m.file} Job`, spec: m.doc.spec.template.spec })),
];
const everyContainer = pods.flatMap((pod) =>
  containersOf(pod.spec).map((c) => ({ label: `${pod.name} › ${c.name}`, c, pod: pod.spec })),
);
const configKeys = new Set(Object.keys(ConfigSchema.shape));

/** True when a label selector's matchLabels select the given pod labels (an empty selector selects all). */
function selects(selector: any, labels: Record<string, string>): boolean {
  return Object.entries(selector?.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
}

describe("k8s/ YAML", () => {
  it("parses: every document has an apiVersion, a kind and a name", () => {
    expect(manifests.length).toBeGreaterThan(10);
    for (const { file, doc } of manifests) {
      expect(doc.apiVersion, file).toBeTypeOf("string");
      expect(doc.kind, file).toBeTypeOf("string");
      if (doc.kind === "Kustomization") continue;
      expect(doc.metadata?.name ?? doc.metadata?.generateName, `${file} ${doc.kind}`).toBeTypeOf("string");
    }
  });

  it("kustomization.yaml lists every manifest of k8s/ except the examples, and pins the image by digest", () => {
    const kustomization = one("Kustomization");
    const top = readdirSync(k8sDir).filter((f) => /\.ya?ml$/.test(f) && f !== "kustomization.yaml");
    const listed: string[] = kustomization.resources;
    expect([...listed].sort()).toEqual(top.filter((f) => !f.includes(".example.")).sort());
    // G2: the only image the pods name is rewritten to a registry path with a digest.
    const images = new Set(containers.map((c) => c.image));
    for (const image of images) {
      const pinned = kustomization.images.find((i: any) => i.name === image);
      const digest: string = pinned?.digest ?? image.split("@")[1] ?? "";
      expect(digest, `image ${image} pinned by digest`).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
    // Jobs are not in the kustomization: their image carries the digest itself.
    for (const { label, c, pod } of everyContainer) {
      if (pod !== podSpec) expect(c.image, label).toMatch(/@sha256:[0-9a-f]{64}$/);
    }
  });
});

describe("G2: namespace and resources", () => {
  it("labels the namespace pod-security.kubernetes.io/enforce=restricted, and puts everything in it", () => {
    const namespace = one("Namespace");
    expect(namespace.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    for (const { file, doc } of manifests) {
      if (doc.kind === "Namespace" || doc.kind === "Kustomization") continue;
      expect(doc.metadata.namespace, `${file} ${doc.kind}`).toBe(namespace.metadata.name);
    }
  });

  it("sets CPU and memory requests and limits on every container and init container", () => {
    for (const { label, c } of everyContainer) {
      for (const kind of ["requests", "limits"] as const) {
        expect(c.resources?.[kind]?.cpu, `${label} ${kind}.cpu`).toBeDefined();
        expect(c.resources?.[kind]?.memory, `${label} ${kind}.memory`).toBeDefined();
      }
    }
  });
});

describe("G1: Pod Security Standard restricted, for every container and init container", () => {
  const effective = (c: any, pod: any, field: string) =>
    c.securityContext?.[field] ?? pod.securityContext?.[field];
  const cases = everyContainer.map(({ label, c, pod }) => [label, c, pod] as const);

  it("has init containers, containers and jobs to check", () => {
    expect(podSpec.initContainers?.length).toBeGreaterThan(0);
    expect(server).toBeDefined();
    expect(pods.length).toBeGreaterThan(1);
  });

  it.each(cases)("%s: non-root, no escalation, no capabilities, seccomp", (_, c, pod) => {
    expect(effective(c, pod, "runAsNonRoot")).toBe(true);
    const uid = effective(c, pod, "runAsUser");
    expect(uid).toBeTypeOf("number");
    expect(uid).not.toBe(0);
    // The same uid the image runs as (Dockerfile USER), so files it owns (/data) are the pod's.
    expect(uid).toBe(dockerfileUid());
    expect(c.securityContext?.allowPrivilegeEscalation).toBe(false);
    expect(c.securityContext?.privileged ?? false).toBe(false);
    expect(c.securityContext?.capabilities?.drop).toContain("ALL");
    for (const added of c.securityContext?.capabilities?.add ?? []) expect(added).toBe("NET_BIND_SERVICE");
    expect(["RuntimeDefault", "Localhost"]).toContain(effective(c, pod, "seccompProfile")?.type);
    for (const port of c.ports ?? []) expect(port.hostPort, `${c.name} hostPort`).toBeUndefined();
  });

  it.each(cases)("%s: read-only root filesystem with an emptyDir at /tmp", (_, c, pod) => {
    expect(c.securityContext?.readOnlyRootFilesystem).toBe(true);
    const tmp = (c.volumeMounts ?? []).find((m: any) => m.mountPath === "/tmp");
    expect(tmp, `${c.name} mounts /tmp`).toBeDefined();
    const volume = pod.volumes.find((v: any) => v.name === tmp.name);
    expect(volume?.emptyDir, `${c.name}: /tmp is an emptyDir`).toBeDefined();
  });

  it("uses only the volume types the restricted profile allows, and no host namespaces", () => {
    const allowed = [
      "configMap",
      "csi",
      "downwardAPI",
      "emptyDir",
      "ephemeral",
      "persistentVolumeClaim",
      "projected",
      "secret",
    ];
    for (const pod of pods) {
      for (const volume of pod.spec.volumes ?? []) {
        const types = Object.keys(volume).filter((k) => k !== "name");
        for (const type of types) expect(allowed, `${pod.name} volume ${volume.name}`).toContain(type);
      }
      for (const field of ["hostNetwork", "hostPID", "hostIPC"]) expect(pod.spec[field] ?? false).toBe(false);
      expect(pod.spec.automountServiceAccountToken, pod.name).toBe(false);
    }
  });
});

describe("G3: probes", () => {
  const port = (probe: any) => probe.httpGet.port;

  it("readiness is GET /readyz (it pings the database); liveness GET /healthz, never /readyz", () => {
    expect(server.readinessProbe.httpGet.path).toBe("/readyz");
    expect(server.livenessProbe.httpGet.path).toBe("/healthz");
    expect(server.livenessProbe.httpGet.path).not.toBe(server.readinessProbe.httpGet.path);
    for (const probe of [server.readinessProbe, server.livenessProbe, server.startupProbe]) {
      const named = server.ports.find((p: any) => p.name === port(probe) || p.containerPort === port(probe));
      expect(named?.containerPort).toBe(8787);
    }
  });

  it("/healthz depends on nothing, /readyz on the database (as src/server/app.ts defines them)", () => {
    const app = readFileSync(join(root, "src/server/app.ts"), "utf8");
    const healthz = app.split("\n").find((line) => line.includes('"/healthz"')) ?? "";
    expect(healthz).toMatch(/c\.json\(\{ status: "ok" \}\)/);
    const readyz = app.slice(app.indexOf('"/readyz"'), app.indexOf('"/readyz"') + 800);
    expect(readyz).toContain("database.ping()");
  });

  it("a startup probe gives migrations minutes before liveness applies", () => {
    const { startupProbe } = server;
    expect(startupProbe.httpGet.path).toBe("/healthz");
    expect(startupProbe.periodSeconds * startupProbe.failureThreshold).toBeGreaterThanOrEqual(120);
  });
});

describe("G4: termination", () => {
  it("30 s of grace cover the preStop sleep plus serve's own deadline", () => {
    expect(podSpec.terminationGracePeriodSeconds).toBe(30);
    const [command, seconds] = server.lifecycle.preStop.exec.command;
    expect(command).toBe("sleep");
    const serve = readFileSync(join(root, "src/cli/serve.ts"), "utf8");
    const deadline = serve.match(/process\.exit\(1\),\s*([\d_]+)\)/);
    expect(
      deadline,
      "src/cli/serve.ts forces exit(1) after a deadline; update this test if it moved",
    ).not.toBeNull();
    const deadlineSeconds = Number(deadline![1]!.replaceAll("_", "")) / 1000;
    expect(Number(seconds) + deadlineSeconds).toBeLessThan(podSpec.terminationGracePeriodSeconds);
  });
});

describe("G5: disruption budget and autoscaling", () => {
  it("runs at least two replicas and lets at most one go at a time", () => {
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    const pdb = one("PodDisruptionBudget");
    expect(pdb.spec.maxUnavailable).toBeGreaterThanOrEqual(1);
    expect(selects(pdb.spec.selector, podLabels)).toBe(true);
    expect(Object.keys(pdb.spec.selector.matchLabels).length).toBeGreaterThan(0);
  });

  it("autoscales the Deployment with minReplicas ≥ 2", () => {
    const hpa = one("HorizontalPodAutoscaler");
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.maxReplicas).toBeGreaterThanOrEqual(hpa.spec.minReplicas);
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: "Deployment", name: deployment.metadata.name });
  });

  it("the Service and the Ingress (TLS) reach the server's port", () => {
    const service = one("Service");
    expect(selects({ matchLabels: service.spec.selector }, podLabels)).toBe(true);
    const servicePort = service.spec.ports[0];
    expect(server.ports.some((p: any) => p.name === servicePort.targetPort)).toBe(true);
    const ingress = one("Ingress");
    expect(ingress.spec.tls[0].hosts.length).toBeGreaterThan(0);
    expect(ingress.spec.tls[0].secretName).toBeTypeOf("string");
    const backend = ingress.spec.rules[0].http.paths[0].backend.service;
    expect(backend).toEqual({ name: service.metadata.name, port: { name: servicePort.name } });
  });
});

describe("G6: network policies", () => {
  const policies = ofKind("NetworkPolicy").filter((m) => !m.file.includes("/"));
  const forServer = (type: "Ingress" | "Egress") =>
    policies
      .map((m) => m.doc.spec)
      .filter((spec) => spec.policyTypes.includes(type) && selects(spec.podSelector, podLabels));
  const portsOf = (rules: any[]) =>
    rules.flatMap((rule) => (rule.ports ?? []).map((p: any) => `${p.protocol ?? "TCP"}/${p.port}`));

  it("denies all ingress and egress by default, for every pod of the namespace", () => {
    const deny = policies.find(
      (m) => Object.keys(m.doc.spec.podSelector).length === 0 && !m.doc.spec.ingress && !m.doc.spec.egress,
    );
    expect(deny, "a policy with podSelector {} and no rules").toBeDefined();
    expect([...deny!.doc.spec.policyTypes].sort()).toEqual(["Egress", "Ingress"]);
  });

  it("allows the ingress controller to the server's port and the monitoring namespace to the metrics port, nothing else in", () => {
    const ingress = forServer("Ingress").flatMap((spec) => spec.ingress ?? []);
    expect(portsOf(ingress).sort()).toEqual(["TCP/8787", "TCP/9464"]);
    for (const rule of ingress) {
      for (const peer of rule.from)
        expect(peer.namespaceSelector?.matchLabels, "from a named namespace").toBeDefined();
    }
    // Prometheus reaches the metrics port only, never the API.
    const toMetrics = ingress.filter((rule) => portsOf([rule]).includes("TCP/9464"));
    expect(toMetrics.map((rule) => portsOf([rule]))).toEqual([["TCP/9464"]]);
    expect(toMetrics[0].from[0].namespaceSelector.matchLabels["kubernetes.io/metadata.name"]).toBe(
      "monitoring",
    );
  });

  it("allows egress to Postgres (5432), the LLM over HTTPS (443, no private ranges) and DNS (53 UDP/TCP)", () => {
    const egress = forServer("Egress").flatMap((spec) => spec.egress ?? []);
    expect(new Set(portsOf(egress))).toEqual(new Set(["TCP/5432", "TCP/443", "UDP/53", "TCP/53"]));
    const https = egress.find((rule) => portsOf([rule]).includes("TCP/443"));
    expect(https.to[0].ipBlock.except).toEqual(expect.arrayContaining(["10.0.0.0/8", "169.254.0.0/16"]));
    const dns = egress.find((rule) => portsOf([rule]).includes("UDP/53"));
    expect(dns.to[0].namespaceSelector.matchLabels["kubernetes.io/metadata.name"]).toBe("kube-system");
  });
});

describe("configuration the pods get", () => {
  const configMap = one("ConfigMap");
  const secretExample = manifests.find((m) => m.file === "secret.example.yaml")!.doc;

  it("every variable set by env, the ConfigMap or the Secret example is one src/config.ts reads", () => {
    const names = [
      ...everyContainer.flatMap(({ c }) => (c.env ?? []).map((e: any) => e.name)),
      ...Object.keys(configMap.data),
      ...Object.keys(secretExample.stringData),
    ];
    expect(names.length).toBeGreaterThan(15);
    for (const name of names) expect(configKeys, `${name} is not in ConfigSchema`).toContain(name);
  });

  it("every container takes the same ConfigMap and Secret", () => {
    for (const { label, c } of everyContainer) {
      expect(c.envFrom, label).toEqual([
        { configMapRef: { name: configMap.metadata.name } },
        { secretRef: { name: secretExample.metadata.name } },
      ]);
    }
  });

  it("the ConfigMap's values (with the pod's env) pass the config validation", () => {
    const env = Object.fromEntries(server.env.map((e: any) => [e.name, e.value]));
    const config = loadConfig({ ...configMap.data, ...env });
    expect(config.HOST).toBe("0.0.0.0");
    expect(config.PORT).toBe(server.ports[0].containerPort);
    expect(config.AUTH_REQUIRED).toBe(true);
  });

  it("the Secret example holds the database URL, the PII keys and a key source, as placeholders that fail", () => {
    const data: Record<string, string> = secretExample.stringData;
    for (const name of ["DATABASE_URL", "PII_KEYS", "PII_INDEX_KEY"]) expect(data[name], name).toBeTruthy();
    const keySources = ["AUTH_JWKS_URL", "AUTH_PUBLIC_KEYS", "AUTH_HS256_SECRET"].filter((k) => data[k]);
    expect(keySources).toHaveLength(1);
    // No real key: nothing that decodes to 32 random bytes.
    for (const [name, value] of Object.entries(data)) {
      for (const part of value.split(/[,:]/)) {
        const looksLikeKey = /^[A-Za-z0-9+/]{43}=$/.test(part) && Buffer.from(part, "base64").length === 32;
        expect(looksLikeKey, name).toBe(false);
      }
    }
    expect(() => loadConfig(data)).toThrow(ConfigError);
  });
});

describe("Dockerfile", () => {
  const dockerfile = readFileSync(join(root, "Dockerfile"), "utf8");

  it("pins the base image by digest, runs as a numeric non-root user, exposes the pod's port", () => {
    expect(dockerfile).toMatch(/node:20[\w.-]*-bookworm-slim@sha256:[0-9a-f]{64}/);
    expect(dockerfileUid()).toBeGreaterThan(0);
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${server.ports[0].containerPort}$`, "m"));
    expect(dockerfile).toContain('CMD ["node", "dist/cli/main.js", "serve"]');
  });

  it("copies what the code reads at run time: dist, drizzle (migrations), models, package.json", () => {
    for (const copied of ["/app/dist ./dist", "drizzle ./drizzle", "models ./models", "package.json"]) {
      expect(dockerfile).toContain(copied);
    }
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
  });
});

function dockerfileUid(): number {
  const user = readFileSync(join(root, "Dockerfile"), "utf8").match(/^USER (\d+)(?::\d+)?$/m);
  return user ? Number(user[1]) : Number.NaN;
}
