import type { CompactionState } from '../../../messages/rpc/coordinator.js';
import type { CoordinatorContext } from './context.js';
import { Keys, listRecords, putRecord } from './metaCodec.js';

/**
 * Manual compactions (Milvus's compact / get_compaction_state) as jobs kept in
 * the meta store: a coordinator that takes over answers for the jobs its
 * predecessor started, and runs again those it left executing, so a job a
 * client polls ends Completed rather than unknown. A round that could not
 * reach a shard (its owner moving, a coordinator just started) is run again,
 * up to `ATTEMPTS` times, before the job ends with the error. The newest
 * `KEEP` are kept.
 */
interface Job { compactionID: number; collectionId: number; state: CompactionState; error?: string; clustering?: boolean }

const KEEP = 1000;
const ATTEMPTS = 30;
const RETRY_MS = 1000;

export class ManualCompactions {
  private readonly jobs = new Map<number, Job>();

  /** `run`: the collection's compaction, queued behind whatever maintenance runs now. */
  constructor(private readonly ctx: CoordinatorContext, private readonly run: (collectionId: number, clustering: boolean) => Promise<string[]>) {}

  /** Loads the jobs on record and runs again those a previous coordinator left executing. */
  async resume(): Promise<void> {
    const jobs = (await listRecords<Job>(this.ctx.opts.meta, Keys.compactions)).sort((a, b) => a.compactionID - b.compactionID);
    for (const j of jobs) this.jobs.set(j.compactionID, j);
    for (const j of jobs) if (j.state === 'Executing') this.execute(j);
  }

  /** `clustering`: a clustering compaction (clusteringCompaction.ts) rather than the delete and merge round. */
  async start(collectionId: number, clustering = false): Promise<number> {
    const job: Job = { compactionID: await this.ctx.allocIds(1), collectionId, state: 'Executing', ...(clustering ? { clustering } : {}) };
    await this.save(job);
    for (const id of [...this.jobs.keys()].slice(0, Math.max(0, this.jobs.size - KEEP))) {
      this.jobs.delete(id);
      await this.ctx.opts.meta.delete(Keys.compaction(id));
    }
    this.execute(job);
    return job.compactionID;
  }

  state(compactionID: number): { state: CompactionState; error?: string } {
    const j = this.jobs.get(compactionID);
    if (!j) return { state: 'UndefiedState' };
    return j.error === undefined ? { state: j.state } : { state: j.state, error: j.error };
  }

  private execute(job: Job): void {
    const done = (error?: string) => this.save({ ...job, state: 'Completed', ...(error === undefined ? {} : { error }) })
      .catch((e) => this.ctx.log(`recording compaction ${job.compactionID} failed:`, (e as Error).message));
    const attempt = async (): Promise<string | undefined> => {
      for (let i = 1; ; i++) {
        const failures = await this.run(job.collectionId, job.clustering === true);
        if (failures.length === 0) return undefined;
        if (i >= ATTEMPTS || this.ctx.stopped) return failures.join('; ');
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    };
    void attempt().then((error) => done(error), (e: Error) => done(e.message));
  }

  private async save(job: Job): Promise<void> {
    this.jobs.set(job.compactionID, job);
    await putRecord(this.ctx.opts.meta, Keys.compaction(job.compactionID), job);
  }
}
