// The outbound network guard shared by every service that connects to tenant-supplied addresses (probe-worker's
// probes, alert-service's channels): resolve once, judge every address (SSRF), connect to the checked address.
export * from "./cidr.ts";
export * from "./connect.ts";
export * from "./failure.ts";
export * from "./http-client.ts";
export * from "./ip.ts";
export * from "./ssrf.ts";
export * from "./tls-info.ts";
