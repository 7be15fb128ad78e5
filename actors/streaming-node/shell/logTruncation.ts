import type { Tso } from '../../../messages/types.js';
import type { WalBackend } from '../../../runtime/ports/walBackend.js';
import { planTruncation, type RetentionMark, type RetentionPolicy, type TruncationPlan } from '../core/walRetention.js';

/**
 * When an owner truncates its pchannel's log; how far is core/walRetention.ts's
 * decision. A cut the retention allows after a checkpoint waits for proof that
 * this owner was not fenced when it stored that checkpoint: an append stamped
 * after the save, acknowledged. A newer owner opens (and loads the newest
 * checkpoint) only after fencing us, so it loads that checkpoint or a newer one,
 * neither of which needs what is cut. An owner replaced without knowing it
 * (paused past its lease) never gets the proof and cuts nothing; an idle
 * pchannel cuts when writes resume.
 */
export class LogTruncation {
  /** Sampled checkpoints (persisted with each checkpoint). */
  private marks: RetentionMark[] = [];
  /** The log's first position as far as this owner knows. */
  private first = 0;
  private pending?: { before: number; afterTso: Tso };
  private cutting = false;

  constructor(
    private readonly pchannel: string,
    private readonly backend: WalBackend,
    private readonly policy: RetentionPolicy,
    private readonly log: (...a: unknown[]) => void,
    private readonly onCut: (first: number) => void,
  ) {}

  /** After recovery: the marks of the checkpoint restored and where the log starts. */
  restore(marks: RetentionMark[] | undefined, first: number): void {
    this.marks = marks ?? [];
    this.first = first;
  }

  /** The marks to store with a checkpoint whose replay point is `replayFrom`, taken at `atMs` (its TSO's time). */
  plan(replayFrom: number, atMs: number): TruncationPlan {
    return planTruncation(this.marks, replayFrom, atMs, this.policy);
  }

  /** The checkpoint carrying `plan` is stored; `lastStampedTso` is the newest TSO stamped so far. */
  stored(plan: TruncationPlan, lastStampedTso: Tso): void {
    this.marks = plan.marks;
    if (plan.truncateBefore !== null && plan.truncateBefore > this.first) this.pending = { before: plan.truncateBefore, afterTso: lastStampedTso };
  }

  /** An append stamped at `tso` was acknowledged: if it proves ownership, the pending cut runs. */
  acknowledged(tso: Tso): void {
    const cut = this.pending;
    if (!cut || tso <= cut.afterTso || this.cutting) return;
    this.pending = undefined;
    this.cutting = true;
    this.cut(cut.before).catch((e) => this.log('truncation failed:', (e as Error).message)).finally(() => { this.cutting = false; });
  }

  /** Frees the log before `before` (the backend keeps whole storage units it cannot split). */
  private async cut(before: number): Promise<void> {
    await this.backend.truncate(this.pchannel, before);
    const first = await this.backend.firstPosition(this.pchannel);
    if (first > this.first) this.log(`truncated the WAL before ${first} (asked ${before})`);
    this.first = Math.max(first, this.first);
    this.onCut(first);
  }
}
