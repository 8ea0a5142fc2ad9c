/** Whether a value is an http(s) URL to this machine (localhost, 127.0.0.0/8, [::1]): the local cloud, a local receiver. */
export function isLoopbackUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && (['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(url.hostname));
}
