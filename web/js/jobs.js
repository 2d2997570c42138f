// jobs — a long run on the server (the estimate, the joint linkage): the
// POST answers 202 {job} at once, then GET /api/job is asked every second
// for its stage and progress until it is done (its result) or failed (an
// ApiError like any route's). The vault stays usable meanwhile.

import * as api from './api.js';

const wait = (ms) => new Promise((r) => { setTimeout(r, ms); });

export async function run(path, body, onProgress) {
  const start = await api.post(path, body);
  if (!start || start.state !== 'running') return start; // an answer without a job
  for (;;) {
    await wait(1000);
    const j = await api.get('/job');
    if (j.job !== start.job) throw new api.ApiError(409, { code: 'busy', message: 'another run replaced this one' });
    if (j.state === 'done') return j.result;
    if (onProgress) onProgress(j);
  }
}
