import { JsonPlusSerializer, type SerializerProtocol } from "@langchain/langgraph-checkpoint";
import { CIPHERTEXT_PREFIX, type PiiCipher, parseCiphertext } from "../../db/pii/cipher.js";

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
    // The tag has the text ciphertext's shape, with the inner type where a text value has its body.
    const sealed = parseCiphertext(type);
    if (!sealed) return this.inner.loadsTyped(type, data);
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    const opened = this.cipher.decryptBytes(sealed.keyId, bytes, CHECKPOINT_CONTEXT);
    return this.inner.loadsTyped(sealed.body, new Uint8Array(opened));
  }
}

const CHECKPOINT_CONTEXT = "checkpoint";
