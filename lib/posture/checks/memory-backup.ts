/** `memory-backup`: a respond snapshot of this host's memory files newer than the maximum age. */
import { result, type PostureCheck } from '../types.js';

export const memoryBackupCheck: PostureCheck = {
  id: 'memory-backup',
  reads: "respond's memory backup repository on the worker: the newest snapshot commit of this host",
  probes: {},
  evaluate({ host, records, settings }) {
    const max = settings.snapshotMaxAgeHours;
    const fix = { runbook: 'snapshot', text: `respond snapshot --inventory F --hosts ${host} (nightly: respond snapshot schedule --inventory F)` };
    if (!records.lastSnapshot) return result('memory-backup', 'fail', 'no respond snapshot of this host', { lastSnapshot: null, maxAgeHours: max }, fix);
    const ageH = (Date.parse(settings.now) - Date.parse(records.lastSnapshot)) / 3_600_000;
    const evidence = { lastSnapshot: records.lastSnapshot, ageHours: Math.round(ageH * 10) / 10, maxAgeHours: max };
    if (ageH > max) return result('memory-backup', 'fail', `last snapshot ${Math.round(ageH)} h old (max ${max} h)`, evidence, fix);
    return result('memory-backup', 'pass', `snapshot ${ageH < 1 ? `${Math.round(ageH * 60)} min` : `${Math.round(ageH)} h`} old`, evidence);
  },
};
