/**
 * `auth`: the gateway requires a token or password that is long and random enough, is not a
 * placeholder, and is not a value respond already knows to be compromised (one a rotation
 * replaced). The value is judged on the worker; only its fingerprint and shape get here.
 */
import { result, type PostureCheck } from '../types.js';

const MIN_LENGTH = 24;
const MIN_DISTINCT = 10;

export const authCheck: PostureCheck = {
  id: 'auth',
  reads: 'gateway.auth.mode and the configured token or password (length, distinct characters, placeholder words; fingerprint only)',
  probes: {},
  evaluate({ gateway, records }) {
    const s = records.authSecret;
    const mode = gateway.authMode;
    const evidence = { mode, fingerprint: s.fingerprint, length: s.length, distinct: s.distinct };
    const fix = { runbook: 'harden', step: 'auth', text: 'respond start harden (sets a random token and delivers it like a rotated one), or respond start rotate for a weak or leaked one' };
    if (mode === 'trusted-proxy') return result('auth', 'warn', 'auth mode trusted-proxy: the proxy in front decides who gets in', evidence);
    if (mode !== 'token' && mode !== 'password') return result('auth', 'fail', `auth mode "${mode}": the gateway accepts anyone who reaches it`, evidence, fix);
    if (!s.present) return result('auth', 'fail', `auth mode ${mode} with no ${mode} set`, evidence, fix);
    if (s.fingerprint && records.leakedFingerprints.includes(s.fingerprint)) {
      return result('auth', 'fail', `the ${mode} in use (${s.fingerprint}) is one respond replaced as compromised`, evidence, { ...fix, runbook: 'rotate' });
    }
    if (s.placeholder) return result('auth', 'fail', `the ${mode} looks like a placeholder`, evidence, fix);
    if (s.length < MIN_LENGTH || s.distinct < MIN_DISTINCT) {
      return result('auth', 'fail', `the ${mode} is too weak (${s.length} characters, ${s.distinct} distinct; want >= ${MIN_LENGTH} and >= ${MIN_DISTINCT})`, evidence, { ...fix, runbook: 'rotate' });
    }
    return result('auth', 'pass', `${mode} auth, ${s.length} characters (${s.fingerprint})`, evidence);
  },
};
