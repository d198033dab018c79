/** `token-leaks`: the sweep's exact hunt for the live gateway token outside its own config file. */
import { result, type PostureCheck } from '../types.js';

export const tokenLeaksCheck: PostureCheck = {
  id: 'token-leaks',
  reads: "an exact hunt (rg, every encoding the sweep knows) for the live gateway token under the gateway's home and log dir, the config file excepted",
  probes: {},
  evaluate({ records }) {
    const h = records.tokenHunt;
    if (h.error) return result('token-leaks', 'unknown', h.error, { fingerprint: h.fingerprint });
    if (!h.fingerprint) return result('token-leaks', 'unknown', 'no gateway token configured to hunt for', {});
    const evidence = { fingerprint: h.fingerprint, locations: h.locations };
    if (h.locations.length === 0) return result('token-leaks', 'pass', `token ${h.fingerprint} only in its config`, evidence);
    return result('token-leaks', 'fail', `token ${h.fingerprint} also in ${h.locations.length} place(s): ${h.locations.slice(0, 3).join(', ')}${h.locations.length > 3 ? ', ...' : ''}`, evidence, {
      runbook: 'rotate',
      text: 'treat the token as leaked: respond start rotate (gateway), then respond start sweep-rotated-token to scrub the copies',
    });
  },
};
