// ssh2 keeps its signature conversions in an internal module with no types; this is the part
// the SSH-key login uses (ECDSA signatures travel as SSH mpints, OpenSSL reads and writes DER).
declare module 'ssh2/lib/protocol/utils.js' {
  const utils: {
    /** SSH signature bytes (for ECDSA: mpint r, mpint s) to what OpenSSL verifies (DER). */
    sigSSHToASN1(signature: Buffer, keyType: string): Buffer | undefined;
    /** What OpenSSL signs (DER for ECDSA) to SSH signature bytes. */
    convertSignature(signature: Buffer, keyType: string): Buffer | false;
  };
  export default utils;
}
