// IPv4 CIDR arithmetic for the networks the app creates: validation, overlap (config/), and the subnet split
// (the network construct; done here, not with Terraform's cidrsubnet, so `terraform plan` shows literal
// ranges). Shared here so that the construct does not depend on config/.
// Why no library: ipaddr.js would parse and match ranges, but has no subnet split, so the 32-bit arithmetic
// below would stay anyway; these four functions are the whole need, and they are tested on their own.

export interface Cidr {
  readonly base: number; // network address as an unsigned 32-bit number
  readonly prefix: number;
}

export function parseCidr(text: string): Cidr | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const base = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  return { base, prefix };
}

/** True when the address has no bits set beyond the prefix (10.0.0.0/16, not 10.0.1.0/16). */
export function isNetworkAddress(cidr: Cidr): boolean {
  return (cidr.base & ~mask(cidr.prefix)) >>> 0 === 0;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const shorter = Math.min(a.prefix, b.prefix);
  return ((a.base & mask(shorter)) >>> 0) === ((b.base & mask(shorter)) >>> 0);
}

/** The index-th subnet of `cidr` with `newBits` more prefix bits, as text. */
export function subnetCidr(cidr: Cidr, newBits: number, index: number): string {
  const prefix = cidr.prefix + newBits;
  if (prefix > 28) throw new Error(`cannot split /${cidr.prefix} into /${prefix} subnets: AWS subnets are /28 at the smallest`);
  if (index >= 2 ** newBits) throw new Error(`subnet ${index} does not fit in ${newBits} extra bits`);
  return `${formatAddress((cidr.base + index * 2 ** (32 - prefix)) >>> 0)}/${prefix}`;
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

function formatAddress(n: number): string {
  return [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join(".");
}
