import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import type { PiiKeyring } from "./keyring.js";

/**
 * AES-256-GCM for personal data at rest, and HMAC-SHA256 blind indexes for exact lookups on it.
 *
 * A text field is stored as `pii1.<keyId>.<base64url(iv ‖ ciphertext ‖ tag)>`. The additional authenticated
 * data is the field's context (`leads.email|<tenant>`): a ciphertext copied into another column or another
 * tenant's row fails to decrypt instead of leaking there. Every value gets a fresh 96-bit random IV.
 */
export const CIPHERTEXT_PREFIX = "pii1.";

const IV_BYTES = 12;
const TAG_BYTES = 16;

export class PiiDecryptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PiiDecryptError";
  }
}

export class PiiCipher {
  constructor(readonly keyring: PiiKeyring) {}

  get activeKeyId(): string {
    return this.keyring.activeKeyId;
  }

  encryptBytes(plaintext: Uint8Array, context: string): { keyId: string; sealed: Buffer } {
    const keyId = this.keyring.activeKeyId;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key(keyId), iv);
    cipher.setAAD(Buffer.from(context, "utf8"));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { keyId, sealed: Buffer.concat([iv, body, cipher.getAuthTag()]) };
  }

  decryptBytes(keyId: string, sealed: Uint8Array, context: string): Buffer {
    if (sealed.length < IV_BYTES + TAG_BYTES) throw new PiiDecryptError("ciphertext is truncated");
    const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    const decipher = createDecipheriv("aes-256-gcm", this.key(keyId), bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      throw new PiiDecryptError(
        `ciphertext under key "${keyId}" failed authentication (tampered or misplaced)`,
      );
    }
  }

  encrypt(plaintext: string, context: string): string {
    const { keyId, sealed } = this.encryptBytes(Buffer.from(plaintext, "utf8"), context);
    return `${CIPHERTEXT_PREFIX}${keyId}.${sealed.toString("base64url")}`;
  }

  /**
   * The plaintext of a stored field. A value without the ciphertext prefix is a row written before
   * encryption was turned on; it is returned as is until `rotate-keys` (or startup) encrypts it.
   */
  decrypt(stored: string, context: string): string {
    const parts = parseCiphertext(stored);
    if (!parts) return stored;
    return this.decryptBytes(parts.keyId, Buffer.from(parts.body, "base64url"), context).toString("utf8");
  }

  encryptNullable(value: string | null | undefined, context: string): string | null | undefined {
    return value === null || value === undefined ? value : this.encrypt(value, context);
  }

  decryptNullable(value: string | null, context: string): string | null {
    return value === null ? null : this.decrypt(value, context);
  }

  /** Keyed hash of a normalized value: equal inputs give equal indexes, and the index alone reveals nothing. */
  blindIndex(context: string, normalized: string): string {
    return createHmac("sha256", this.keyring.indexKey)
      .update(`${context}\u0000${normalized}`)
      .digest("base64url");
  }

  /** True when the stored value needs re-encryption: plaintext, or sealed under a key other than the active one. */
  isStale(stored: string | null): boolean {
    if (stored === null) return false;
    const parts = parseCiphertext(stored);
    return parts === undefined || parts.keyId !== this.keyring.activeKeyId;
  }

  private key(keyId: string): Buffer {
    const key = this.keyring.keys.get(keyId);
    if (!key) {
      throw new PiiDecryptError(
        `no PII key "${keyId}" is configured: keep retired keys in PII_KEYS until rotate-keys has finished`,
      );
    }
    return key;
  }
}

export function parseCiphertext(stored: string): { keyId: string; body: string } | undefined {
  if (!stored.startsWith(CIPHERTEXT_PREFIX)) return undefined;
  const dot = stored.indexOf(".", CIPHERTEXT_PREFIX.length);
  if (dot < 0) return undefined;
  return { keyId: stored.slice(CIPHERTEXT_PREFIX.length, dot), body: stored.slice(dot + 1) };
}
