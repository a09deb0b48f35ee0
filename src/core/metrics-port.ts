// What the interfaces (HTTP, the worker's metrics listener) need from metrics, whatever records them: Prometheus
// through prom-client today, behind this port so that no interface imports an adapter.

export interface HttpRequestObservation {
  method: string;
  /** The route's pattern (`/api/v1/tickets/:id`), never the raw URL: the label set stays bounded. */
  route: string;
  status: number;
  seconds: number;
}

export interface MetricsPort {
  observeHttpRequest(observation: HttpRequestObservation): void;
  /** What a scrape answers: the exposition text and its content type. */
  exposition(): Promise<{ contentType: string; body: string }>;
}
