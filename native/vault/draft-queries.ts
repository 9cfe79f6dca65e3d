/**
 * The drafts list as the UI pages through it: sorted (last change, creation, level, or
 * subject in Vietnamese collation), optionally filtered by search words (FTS5 over listed
 * subjects and metadata), with the total count. A Tuyệt mật subject stays null here and
 * never decides the order (hidden subjects sort as one group after the listed ones).
 */
import { DRAFT_ROW_SQL, listedDraft, type DraftRow } from './draft-rows.ts';
import type { DraftSummary } from './drafts.ts';
import { ftsTerms } from './search-terms.ts';
import { pageBounds } from './paging.ts';
import type { Vault } from './vault.ts';

/** How a page of drafts is asked for. */
export interface DraftPageQuery {
  offset: number;
  /** 1..500. */
  limit: number;
  sort: 'updated' | 'created' | 'subject' | 'level';
  direction: 'asc' | 'desc';
  /** Search words (ANDed); empty or absent means no filter. */
  search?: string;
}

/** One row of the list: a DraftSummary (`subject` null while hidden) and its creation time. */
export interface DraftListItem extends DraftSummary {
  createdAt: string;
}

export interface DraftPageResult {
  items: DraftListItem[];
  /** Drafts matching the search (every page). */
  total: number;
}

const LEVEL_RANK = `CASE d.level WHEN 'thuong' THEN 0 WHEN 'mat' THEN 1 WHEN 'toi-mat' THEN 2 ELSE 3 END`;

const collator = new Intl.Collator('vi', { sensitivity: 'base', numeric: true });

/** A page of drafts (see DraftPageQuery). */
export function listDraftPage(vault: Vault, query: DraftPageQuery): DraftPageResult {
  const db = vault.database;
  const terms = ftsTerms(query.search);
  const where =
    terms === ''
      ? ''
      : 'WHERE d.id IN (SELECT rowid FROM drafts_search WHERE drafts_search MATCH @terms)';
  const params = terms === '' ? {} : { terms };
  const total = db.prepare(`SELECT count(*) FROM drafts d ${where}`).pluck().get(params) as number;
  const [limit, offset] = pageBounds(query);
  const dir = query.direction === 'asc' ? 'ASC' : 'DESC';

  let ids: number[];
  if (query.sort === 'subject') {
    // Vietnamese collation is not SQLite's: order the (few) drafts' listed subjects here.
    const all = db
      .prepare(`SELECT d.id, d.subject, d.subject_listed FROM drafts d ${where}`)
      .all(params) as Pick<DraftRow, 'id' | 'subject' | 'subject_listed'>[];
    const sign = dir === 'ASC' ? 1 : -1;
    all.sort((a, b) => {
      if (a.subject_listed !== b.subject_listed) return b.subject_listed - a.subject_listed;
      const bySubject = a.subject_listed === 1 ? collator.compare(a.subject, b.subject) : 0;
      return bySubject !== 0 ? sign * bySubject : b.id - a.id;
    });
    ids = all.slice(offset, offset + limit).map((r) => r.id);
  } else {
    const order =
      query.sort === 'level'
        ? `${LEVEL_RANK} ${dir}, d.updated_at DESC`
        : `d.${query.sort === 'created' ? 'created_at' : 'updated_at'} ${dir}`;
    ids = db
      .prepare(`SELECT d.id FROM drafts d ${where} ORDER BY ${order}, d.id ${dir} LIMIT ? OFFSET ?`)
      .pluck()
      .all(params, limit, offset) as number[];
  }
  if (ids.length === 0) return { items: [], total };
  const rows = db
    .prepare(`${DRAFT_ROW_SQL} WHERE d.id IN (SELECT value FROM json_each(?))`)
    .all(JSON.stringify(ids)) as DraftRow[];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const items = ids.flatMap((id) => {
    const row = byId.get(id);
    return row === undefined ? [] : [item(row)];
  });
  return { items, total };
}

function item(row: DraftRow): DraftListItem {
  return { ...listedDraft(row), createdAt: row.created_at, updatedAt: row.updated_at };
}
