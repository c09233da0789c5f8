import { randomBytes } from "node:crypto";
import { link, mkdir, readFile, stat, unlink, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Files holding secrets made on first start (the development signing key, the development PII keys):
 * directory 0700, file 0600, created once however many processes start together, and refused when others
 * can read them. Imports nothing of the project, so any layer may use it.
 */

/** The file's text, or undefined when it does not exist. `unsafe` builds the error for a file others can read. */
export async function readPrivateFile(
  path: string,
  unsafe: (message: string) => Error,
): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  if (process.platform !== "win32") {
    const { mode } = await stat(path);
    if ((mode & 0o077) !== 0) {
      // Like ssh with a private key: a key others can read cannot be trusted to be ours alone.
      throw unsafe(
        `${path} is readable by other users (mode ${(mode & 0o777).toString(8)}); run \`chmod 600 ${path}\``,
      );
    }
  }
  return text;
}

/**
 * Writes `content` to `path` unless the file exists. Written under a private name, then linked: link()
 * fails if another process created the file meanwhile, so exactly one version wins and nobody ever reads a
 * half-written file. Callers read the file back afterwards to get the winner.
 */
export async function createPrivateFileOnce(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const partial = `${path}.${process.pid}.${randomBytes(4).toString("hex")}`;
  await writeFile(partial, content, { mode: 0o600, flag: "wx" });
  try {
    await link(partial, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    await unlink(partial);
  }
}
