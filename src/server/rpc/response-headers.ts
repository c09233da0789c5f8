/**
 * Headers of every JSON answer on /rpc. Answers carry personal data (leads, drafts): no cache may keep them
 * (`no-store`, OWASP's advice for sensitive API responses), and browsers must not sniff them into something
 * they would run.
 */
export const RPC_RESPONSE_HEADERS = {
  "content-type": "application/json",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
} as const;
