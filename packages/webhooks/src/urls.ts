/**
 * Which URLs a webhook may be sent to: http(s) only, and in production only hosts whose every
 * address is public (no loopback, private, link-local, carrier-grade NAT, or an address that
 * embeds one), so an endpoint cannot make our server reach its own network (SSRF). The check runs
 * when an endpoint is created and again at every delivery, whose connection then goes to the very
 * addresses checked (a name that changes its answer in between, DNS rebinding, gains nothing).
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { isIP } from "node:net";
import { DomainError } from "@pinglass/core";
import ipaddr from "ipaddr.js";

/** Resolves a host name to all its addresses (dns.lookup with `all: true`). */
export type ResolveAll = (hostname: string) => Promise<LookupAddress[]>;

export interface UrlPolicy {
  /** Loopback, private and link-local addresses too: outside production, or for tests (WEBHOOKS_ALLOW_PRIVATE_URLS). */
  allowPrivateAddresses: boolean;
  /** The DNS; the system's resolver unless a test gives another. */
  resolve?: ResolveAll;
}

export const maxWebhookUrlLength = 2048;

const systemResolve: ResolveAll = (hostname) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));

/** An address a webhook may reach in production: global unicast only (an IPv4-mapped IPv6 address is judged as its IPv4). */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === "unicast";
}

/** The URL's host as an address, or null for a name (the brackets of an IPv6 literal removed). */
function literalAddress(url: URL): string | null {
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  return isIP(host) ? host : null;
}

/** A well-formed http(s) URL without credentials, or the reason it is not. */
export function parseWebhookUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DomainError("BAD_REQUEST", "errors.webhook.urlInvalid");
  }
  if ((url.protocol !== "https:" && url.protocol !== "http:") || raw.length > maxWebhookUrlLength || url.username || url.password) {
    throw new DomainError("BAD_REQUEST", "errors.webhook.urlInvalid");
  }
  return url;
}

const privateAddress = (host: string) => new DomainError("BAD_REQUEST", "errors.webhook.urlPrivate", { host });

/**
 * The addresses a delivery to `url` may connect to, checked against the policy: every address the
 * host resolves to must be public, or the whole URL is refused.
 */
export async function checkedAddresses(url: URL, policy: UrlPolicy): Promise<LookupAddress[]> {
  const literal = literalAddress(url);
  let addresses: LookupAddress[];
  if (literal) addresses = [{ address: literal, family: isIP(literal) }];
  else {
    try {
      addresses = await (policy.resolve ?? systemResolve)(url.hostname);
    } catch {
      throw new DomainError("BAD_REQUEST", "errors.webhook.urlUnresolvable", { host: url.hostname });
    }
    if (addresses.length === 0) throw new DomainError("BAD_REQUEST", "errors.webhook.urlUnresolvable", { host: url.hostname });
  }
  if (!policy.allowPrivateAddresses && !addresses.every((a) => isPublicAddress(a.address))) throw privateAddress(url.hostname);
  return addresses;
}

/** Checks a URL as an endpoint is created: its form, and where its host resolves now. */
export async function checkWebhookUrl(raw: string, policy: UrlPolicy): Promise<URL> {
  const url = parseWebhookUrl(raw);
  await checkedAddresses(url, policy);
  return url;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * The `lookup` of one delivery's connection (http.request): it answers with the addresses just
 * checked, so the connection goes to exactly those and a second DNS answer (rebinding) never
 * counts. Node does not call it for a literal address, which `checkedAddresses` judged already.
 */
export const pinnedLookup =
  (addresses: LookupAddress[]) =>
  (_hostname: string, options: { all?: boolean }, callback: LookupCallback): void =>
    options.all ? callback(null, addresses) : callback(null, addresses[0]!.address, addresses[0]!.family);

/** What a delivery's record says when `checkedAddresses` refused its host. */
export function refusalReason(error: unknown): string {
  if (!(error instanceof DomainError)) return String(error);
  const host = String(error.params.host);
  return error.key === "errors.webhook.urlPrivate" ? `refused: ${host} resolves to an address that is not public` : `${host} did not resolve`;
}
