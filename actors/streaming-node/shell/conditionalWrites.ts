import { NuthatchError } from '../../../messages/errors.js';
import type { PrimaryKey } from '../../../messages/schema.js';
import { bodyOf, type AnyMessage, type Tso } from '../../../messages/types.js';
import { newConflictTable, recordWrites, writtenSince, type WriteConflictTable } from '../core/writeConflicts.js';

/**
 * A pchannel's conditional transactions (core/writeConflicts.ts): a
 * transaction appended with `unchangedSince` commits only if none of its
 * keys was written after that TSO, checked where its CommitTxn is stamped,
 * so nothing comes between the check and the commit. A vchannel keeps a
 * table from its first conditional transaction on (tables are made then,
 * 128 KiB each). Until then only the TSO of the vchannel's last write is
 * kept, and a new table starts every bucket there: a first conditional
 * write conflicts only if its vchannel was written after its read (or this
 * WAL opened after it: what came before is not known here). A
 * transaction's keys count as written at its commit, when they become visible.
 */
export class ConditionalWrites {
  private readonly tables = new Map<string, WriteConflictTable>();
  /** Keys written by open transactions of vchannels with a table, by txn id. */
  private readonly pending = new Map<number, { vchannel: string; pks: PrimaryKey[][] }>();
  /** The TSO each conditional transaction read at, by txn id (set before its Begin is submitted). */
  private readonly conditions = new Map<number, Tso>();
  /** The last write to each vchannel since this WAL opened (a write's TSO, or a transaction's commit). */
  private readonly lastWrite = new Map<string, Tso>();
  /** The first TSO stamped since this WAL opened: every write before it is older. */
  private knownFrom?: Tso;

  /** Marks a transaction about to be appended as conditional on its keys being unchanged since `since`. */
  expect(txnId: number, since: Tso): void { this.conditions.set(txnId, since); }

  /** Forgets a transaction that ended without committing (its Begin or a body was refused). */
  forget(txnId: number): void { this.conditions.delete(txnId); this.pending.delete(txnId); }

  /** Called with a message stamped (its TSO set) before it is admitted: throws WriteConflict for a conditional commit that lost. */
  check(m: AnyMessage): void {
    this.knownFrom ??= m.header.tso;
    const txn = m.header.txn;
    if (!txn) return;
    if (m.header.type === 'BeginTxn' && this.conditions.has(txn.id) && !this.tables.has(m.header.vchannel)) {
      this.tables.set(m.header.vchannel, newConflictTable(this.lastWrite.get(m.header.vchannel) ?? this.knownFrom));
    }
    if (m.header.type !== 'CommitTxn') return;
    const since = this.conditions.get(txn.id);
    if (since === undefined) return;
    this.conditions.delete(txn.id);
    const table = this.tables.get(m.header.vchannel)!;
    const written = writtenSince(table, (this.pending.get(txn.id)?.pks ?? []).flat(), since);
    if (written !== undefined) {
      this.pending.delete(txn.id);
      throw new NuthatchError('WriteConflict', `key ${JSON.stringify(written)} was written after this write read it (at TSO ${since}): read it again`, { key: written, since: String(since) });
    }
  }

  /** Called with a message once admitted: its keys noted as written (a transaction's at its commit). */
  admitted(m: AnyMessage): void {
    const v = m.header.vchannel, txn = m.header.txn;
    const table = this.tables.get(v);
    if (!table) {
      // Without a table a write only moves the vchannel's last write (a transaction's body is written at its commit).
      if (((m.header.type === 'Insert' || m.header.type === 'Delete') && !txn) || m.header.type === 'CommitTxn') this.lastWrite.set(v, m.header.tso);
      return;
    }
    if (m.header.type === 'Insert' || m.header.type === 'Delete') {
      const pks = m.header.type === 'Insert' ? bodyOf(m, 'Insert').rows.pks : bodyOf(m, 'Delete').pks;
      if (!txn) { recordWrites(table, pks, m.header.tso); return; }
      const p = this.pending.get(txn.id) ?? { vchannel: v, pks: [] };
      p.pks.push(pks);
      this.pending.set(txn.id, p);
    } else if (m.header.type === 'CommitTxn' && txn) {
      for (const pks of this.pending.get(txn.id)?.pks ?? []) recordWrites(table, pks, m.header.tso);
      this.pending.delete(txn.id);
    } else if (m.header.type === 'RollbackTxn' && txn) {
      this.pending.delete(txn.id);
    }
  }

  /** Drops what transactions no longer open hold (expired ones end without a message). */
  prune(open: (vchannel: string, txnId: number) => boolean): void {
    for (const [id, p] of this.pending) if (!open(p.vchannel, id)) this.pending.delete(id);
  }
}
