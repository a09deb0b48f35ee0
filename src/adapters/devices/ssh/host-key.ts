// Host key checks: the key a server presents is compared with the one the user trusted, as an OpenSSH
// SHA256 fingerprint. A trusted public key (not only a fingerprint) also pins the negotiated key type.
import { createHash } from 'node:crypto';

/** `SHA256:<base64, no padding>` of the raw key blob, exactly as `ssh-keygen -lf` prints it. */
export function fingerprintOf(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type written inside an SSH key blob (`ssh-ed25519`, `ssh-rsa`, …). */
export function keyTypeOf(keyBlob: Buffer): string | undefined {
  if (keyBlob.length < 4) return undefined;
  const length = keyBlob.readUInt32BE(0);
  return length > 0 && length < 64 && keyBlob.length >= 4 + length
    ? keyBlob.subarray(4, 4 + length).toString('latin1')
    : undefined;
}

export interface TrustedHostKey {
  fingerprint: string;
  /** Host key algorithms to offer, when the key's type is known. */
  algorithms?: string[];
}

const ALGORITHMS_BY_TYPE: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
};

/** From a normalised `hostKey` (see core/device-spec): a fingerprint, or `<type> <base64>`. */
export function trustedHostKey(hostKey: string): TrustedHostKey {
  if (hostKey.startsWith('SHA256:')) return { fingerprint: hostKey };
  const [type, blob] = hostKey.split(' ') as [string, string];
  const algorithms = ALGORITHMS_BY_TYPE[type];
  return { fingerprint: fingerprintOf(Buffer.from(blob, 'base64')), ...(algorithms ? { algorithms } : {}) };
}
