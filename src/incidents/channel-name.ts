/** Slack channel names: lowercase letters, digits, hyphens and underscores, at most 80 characters. */
export const MAX_CHANNEL_NAME = 80;

export function slugify(text: string, max = 60): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // strip accents so "Café" → "cafe", not "caf"
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug.slice(0, max).replace(/-+$/g, '');
}

/** `<prefix>-<number>-<slug>`; `attempt` > 0 adds a suffix for when the name is taken. */
export function incidentChannelName(prefix: string, number: number, title: string, attempt = 0): string {
  const head = `${slugify(prefix, 20) || 'inc'}-${number}`;
  const suffix = attempt > 0 ? `-${attempt + 1}` : '';
  // The same slug for every attempt (room kept for a suffix up to "-99"): a slug cut shorter for a longer suffix
  // could end in that very suffix ("…-50-5" then "…-50" + "-5"), and two attempts would try one name.
  const room = MAX_CHANNEL_NAME - head.length - Math.max(3, suffix.length) - 1;
  const slug = slugify(title, Math.max(0, room));
  return slug ? `${head}-${slug}${suffix}` : `${head}${suffix}`;
}
