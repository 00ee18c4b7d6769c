/** Client-side checks that mirror the server's rules, so most mistakes show before a round trip. */

export type Errors<K extends string> = Partial<Record<K, string>>;

export function checkEmail(v: string): string | undefined {
  const s = v.trim();
  if (!s) return 'Enter your e-mail address.';
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s)) return 'Enter a valid e-mail address, like name@example.com.';
  return undefined;
}

export function checkNewPassword(pw: string, email: string): string | undefined {
  if (pw.length < 10) return 'Use at least 10 characters.';
  if (pw.trim().toLowerCase() === email.trim().toLowerCase()) return 'The password must not be your e-mail address.';
  return undefined;
}

export function checkTenantName(v: string): string | undefined {
  const n = v.trim().length;
  if (n < 2) return 'Enter your organisation’s name (2 characters or more).';
  if (n > 100) return 'Keep the organisation name under 100 characters.';
  return undefined;
}

export function checkAdAccount(v: string): string | undefined {
  const s = v.trim();
  if (!s) return 'Enter the ad account id.';
  if (!/^(act_)?\d+$/.test(s)) return 'Ad account ids look like act_1234567890 (digits after act_).';
  return undefined;
}

export function checkToken(v: string): string | undefined {
  const s = v.trim();
  if (!s) return 'Paste the access token.';
  if (/\s/.test(s)) return 'That does not look like an access token: it must be one line without spaces.';
  return undefined;
}

export function checkUrl(v: string): string | undefined {
  const s = v.trim();
  if (!s) return 'Enter the page people land on.';
  try {
    const u = new URL(s);
    if (u.protocol !== 'https:') return 'Use an https:// address: ad platforms refuse plain http.';
    if (!u.hostname.includes('.')) return 'Enter a full address, like https://example.com/offer.';
  } catch {
    return 'Enter a full address, like https://example.com/offer.';
  }
  return undefined;
}

export function hasErrors<K extends string>(e: Errors<K>): boolean {
  return Object.values(e).some(Boolean);
}
