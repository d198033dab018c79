/** `token-leaks`: the sweep's exact hunt for the live gateway token outside its own config file. */
import { result, type PostureCheck } from '../types.js';

export const tokenLeaksCheck: PostureCheck = {
  id: 'token-leaks',
  reads: "an exact hunt (rg, every encoding the sweep knows) for the live gateway token under the gateway's home and log dir, the config file excepted",
  probes: {},
  evaluate({ gateway, records }) {
    const h = records.tokenHunt;
    if (h.error) return result('token-leaks', 'unknown', h.error, { fingerprint: h.fingerprint });
    if (!h.fingerprint) return result('token-leaks', 'unknown', 'no gateway token configured to hunt for', {});
    const state = `${gateway.stateDir.replace(/\/+$/, '')}/`;
    // `openclaw config set` keeps the previous file as openclaw.json.bak*: a copy of the live
    // token in the same owner-only dir, not a leak to somewhere else.
    const backups = h.locations.filter((p) => p.startsWith(state) && /\.json\.(bak(\.\d+)?|last-good)$/.test(p));
    const elsewhere = h.locations.filter((p) => !backups.includes(p));
    const evidence = { fingerprint: h.fingerprint, locations: elsewhere, configBackups: backups };
    if (elsewhere.length > 0) {
      return result('token-leaks', 'fail', `token ${h.fingerprint} also in ${elsewhere.length} place(s): ${elsewhere.slice(0, 3).join(', ')}${elsewhere.length > 3 ? ', ...' : ''}`, evidence, {
        runbook: 'rotate',
        text: 'treat the token as leaked: respond start rotate (gateway), then respond start sweep-rotated-token to scrub the copies',
      });
    }
    if (backups.length > 0) return result('token-leaks', 'warn', `token ${h.fingerprint} also in ${backups.length} config backup(s) in the state dir`, evidence, { text: 'respond start clawhavoc scrubs stale copies; or remove the .bak files once the config is known good' });
    return result('token-leaks', 'pass', `token ${h.fingerprint} only in its config`, evidence);
  },
};
