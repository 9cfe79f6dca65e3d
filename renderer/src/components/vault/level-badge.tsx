/**
 * The confidentiality marking of a draft: Mật, Tối mật and Tuyệt mật as red text badges
 * (red is reserved for these markings), nothing for Thường; and the urgency as plain text.
 */
import type { Level, Urgency } from '../../../../native/api/drafts-contract.ts';
import type { Translate } from '../../i18n/translate.ts';

export function levelKey(level: Level): `level.${Level}` {
  return `level.${level}`;
}

export function urgencyKey(urgency: Urgency): `urgency.${Urgency}` {
  return `urgency.${urgency}`;
}

export function LevelBadge({ level, t }: { level: Level; t: Translate }) {
  if (level === 'thuong') {
    return (
      <span className="level-none" data-testid="level-marking" data-level={level}>
        {t('level.thuong')}
      </span>
    );
  }
  return (
    <span className="level-badge" data-testid="level-marking" data-level={level}>
      {t(levelKey(level)).toLocaleUpperCase('vi')}
    </span>
  );
}

export function UrgencyText({ urgency, t }: { urgency: Urgency; t: Translate }) {
  return (
    <span className={urgency === 'thuong' ? 'muted' : 'urgency'} data-urgency={urgency}>
      {t(urgencyKey(urgency))}
    </span>
  );
}
