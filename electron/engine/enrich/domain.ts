import { getDomain, getPublicSuffix } from 'tldts';

/**
 * Domain -> registrable domain ("eTLD+1") from the public suffix list bundled in tldts, offline.
 * GuardDuty's dnsRequestAction.domainWithSuffix is this value.
 */
export function registrableDomain(name: string): string | null {
  const clean = name.trim().toLowerCase().replace(/\.$/, '');
  if (clean === '') return null;
  return getDomain(clean, { allowPrivateDomains: false }) ?? null;
}

export function publicSuffix(name: string): string | null {
  const clean = name.trim().toLowerCase().replace(/\.$/, '');
  if (clean === '') return null;
  return getPublicSuffix(clean, { allowPrivateDomains: false }) ?? null;
}
