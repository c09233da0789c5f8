import { JsonPlusSerializer, type SerializerProtocol } from "@langchain/langgraph-checkpoint";
import { CIPHERTEXT_PREFIX, type PiiCipher } from "../../db/pii/cipher.js";

/**
 * Seals checkpoint values and pending writes with the database's PII keys: thread state carries the lead
 * (name, email, notes) and the drafts written to them. The stored type tag becomes
 * `pii1.<keyId>.<inner type>`, so the key that sealed a blob is known without opening it and
 * `rotate-keys` can find blobs under retired keys. Blobs stored before encryption load as before.
 *
 * Metadata is not sealed: it is stored as jsonb for list filters and holds step counters and thread ids.
 */
export class EncryptingSerializer implements SerializerProtocol {
  constructor(
    private readonly cipher: PiiCipher,
    readonly inner: SerializerProtocol = new JsonPlusSerializer(),
  ) {}

  async dumpsTyped(data: unknown): Promise<[string, Uint8Array]> {
    const [type, bytes] = await this.inner.dumpsTyped(data);
    const { keyId, sealed } = this.cipher.encryptBytes(bytes, CHECKPOINT_CONTEXT);
    return [`${CIPHERTEXT_PREFIX}${keyId}.${type}`, sealed];
  }

  async loadsTyped(type: string, data: Uint8Array | string): Promise<unknown> {
    const sealed = parseSealedType(type);
    if (!sealed) return this.inner.loadsTyped(type, data);
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    const opened = this.cipher.decryptBytes(sealed.keyId, bytes, CHECKPOINT_CONTEXT);
    return this.inner.loadsTyped(sealed.type, new Uint8Array(opened));
  }
}

const CHECKPOINT_CONTEXT = "checkpoint";

export function parseSealedType(type: string): { keyId: string; type: string } | undefined {
  if (!type.startsWith(CIPHERTEXT_PREFIX)) return undefined;
  const dot = type.indexOf(".", CIPHERTEXT_PREFIX.length);
  if (dot < 0) return undefined;
  return { keyId: type.slice(CIPHERTEXT_PREFIX.length, dot), type: type.slice(dot + 1) };
}
