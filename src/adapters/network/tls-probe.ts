// The certificate a TLS server presents, read during the handshake. It is reported, not trusted: the connection
// does not reject an invalid chain, and `authorized` says whether Node's verification (chain and name) passed.
import { connect, type PeerCertificate } from 'node:tls';
import { TwisterError } from '../../core/errors.ts';
import type { PeerCertificateInfo, ProbeOptions } from '../../core/network-probes.ts';

/** `CN=example.com, O=Example`: the fields in the certificate's order, repeated fields each shown. */
function distinguishedName(name: Record<string, string | string[]> | undefined): string {
  return Object.entries(name ?? {})
    .flatMap(([key, value]) => (Array.isArray(value) ? value : [value]).map((v) => `${key}=${v}`))
    .join(', ');
}

function describe(
  cert: PeerCertificate,
  authorized: boolean,
  authorizationError: Error | string | undefined,
): PeerCertificateInfo {
  const error =
    authorizationError === undefined
      ? undefined
      : String((authorizationError as { code?: string }).code ?? authorizationError);
  return {
    subject: distinguishedName(cert.subject as unknown as Record<string, string | string[]>),
    issuer: distinguishedName(cert.issuer as unknown as Record<string, string | string[]>),
    validFrom: new Date(cert.valid_from),
    validTo: new Date(cert.valid_to),
    fingerprint256: cert.fingerprint256,
    subjectAltNames: cert.subjectaltname ? cert.subjectaltname.split(', ') : [],
    authorized,
    ...(error ? { authorizationError: error } : {}),
  };
}

export function fetchCertificate(
  host: string,
  port: number,
  servername: string | undefined,
  { timeoutMs, signal }: ProbeOptions,
): Promise<PeerCertificateInfo> {
  if (signal.aborted) return Promise.reject(new TwisterError('CAPABILITY_ABORTED', 'the check was cancelled'));
  const where = `${host}:${port}`;
  return new Promise<PeerCertificateInfo>((resolve, reject) => {
    const socket = connect({ host, port, rejectUnauthorized: false, ...(servername ? { servername } : {}) });
    const settle = (done: () => void) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      done();
    };
    const onAbort = () => settle(() => reject(new TwisterError('CAPABILITY_ABORTED', 'the check was cancelled')));
    const timer = setTimeout(
      () =>
        settle(() =>
          reject(
            new TwisterError('SERVICE_CHECK_FAILED', `no TLS handshake with ${where} within ${timeoutMs} ms`, {
              host,
              port,
            }),
          ),
        ),
      timeoutMs,
    );
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      settle(() =>
        cert && cert.raw
          ? resolve(describe(cert, socket.authorized, socket.authorizationError))
          : reject(new TwisterError('SERVICE_CHECK_FAILED', `${where} presented no certificate`, { host, port })),
      );
    });
    socket.once('error', (error) =>
      settle(() =>
        reject(new TwisterError('SERVICE_CHECK_FAILED', `TLS with ${where} failed: ${error.message}`, { host, port })),
      ),
    );
  });
}
