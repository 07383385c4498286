/**
 * The git publish path (`SALVE_PUBLISH=git`): the remediation commit is made and signed locally
 * (OpenPGP) in the checkout and pushed over HTTPS with the installation token in a header, by the
 * local publisher. The PR lifecycle around it is the same as for the API path.
 */

import type { CommitWriter } from '../publish/github/types.ts';
import { publishLocal } from '../publish/local.ts';
import { authHeader } from './checkout.ts';
import type { CheckoutResult, Clock } from './types.ts';

export interface GitPublishOptions {
  author: { name: string; email: string };
  signing: { armoredPrivateKey: string; passphrase?: string };
  clock: Clock;
}

export function gitCommitWriter(opts: GitPublishOptions) {
  return (co: CheckoutResult, token: string): { write: CommitWriter; ownEmails: string[] } => ({
    ownEmails: [opts.author.email],
    write: async (req) => {
      const result = await publishLocal(req, {
        dir: co.dir,
        author: opts.author,
        signing: opts.signing,
        remote: 'origin',
        headers: authHeader(token),
        now: opts.clock.now(),
      });
      return result.commit;
    },
  });
}
