// The network probes port: where a host to check may be reached from (the egress rule), a TCP connect from this
// machine or from a device, and the certificate a TLS server presents. Adapters implement it; agents call it.

/** A host and port that passed the egress rule together, and what to connect to: the verdict holds for that port only. */
export interface ProbeTarget {
  /** The host as given, normalised (lower case, no brackets or trailing dot; an IP address in its usual form). */
  host: string;
  port: number;
  /** The address that was checked (so a name cannot rebind in between), or the name itself when it is trusted by name. */
  connectTo: string;
  /** The name to send as TLS SNI: the host when it is a name. */
  servername?: string;
}

export type TargetVerdict =
  | { ok: true; target: ProbeTarget }
  | { ok: false; reason: string; /** The name did not resolve here (a finding, not a refusal). */ unresolved: boolean };

export interface TcpProbeResult {
  reachable: boolean;
  latencyMs: number;
  error?: string;
}

export interface PeerCertificateInfo {
  subject: string;
  issuer: string;
  validFrom: Date;
  validTo: Date;
  fingerprint256: string;
  subjectAltNames: string[];
  /** The chain verified against the system's CAs and the name matched; reported, never required. */
  authorized: boolean;
  authorizationError?: string;
}

export interface ProbeOptions {
  timeoutMs: number;
  signal: AbortSignal;
}

export interface NetworkProbes {
  /** Normalises the host and applies the egress rule to the host on that port; names are resolved here. */
  target(host: string, port: number): Promise<TargetVerdict>;
  /** Connects to the target's checked address on the target's port: no other port can be asked for. */
  tcp(target: ProbeTarget, options: ProbeOptions): Promise<TcpProbeResult>;
  /** A TCP connection opened by a device of the inventory (`local`: this machine). Throws for an unknown device. */
  tcpFrom(deviceId: string, target: ProbeTarget, options: ProbeOptions): Promise<TcpProbeResult>;
  certificate(target: ProbeTarget, servername: string | undefined, options: ProbeOptions): Promise<PeerCertificateInfo>;
}
