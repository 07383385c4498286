/**
 * Image references as the kubelet and git spell them. A pod status says `docker.io/library/nginx:1.27.2`
 * where git says `nginx:1.27.2`: the same image. A digest and a tag cannot be compared without the
 * registry, so that comparison is `unknown`, never a guess.
 */

export interface ImageRef {
  name: string;
  tag?: string;
  digest?: string;
}

export function parseImage(image: string): ImageRef {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const rest = at >= 0 ? image.slice(0, at) : image;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  const tag = colon > slash ? rest.slice(colon + 1) : undefined;
  let name = colon > slash ? rest.slice(0, colon) : rest;
  name = name.replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '');
  if (!name.includes('/')) name = `library/${name}`;
  const ref: ImageRef = { name };
  if (tag) ref.tag = tag;
  if (digest) ref.digest = digest;
  if (!tag && !digest) ref.tag = 'latest';
  return ref;
}

/** Whether two references name the same image: a different name or tag or digest is `different`. */
export function compareImages(a: string, b: string): 'same' | 'different' | 'unknown' {
  const x = parseImage(a);
  const y = parseImage(b);
  if (x.name !== y.name) return 'different';
  if (x.digest && y.digest) return x.digest === y.digest ? 'same' : 'different';
  if (x.tag && y.tag) return x.tag === y.tag ? 'same' : 'different';
  return 'unknown';
}
