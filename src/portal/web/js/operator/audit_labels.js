// The audit trail's actions and decisions in words, for the patient's access list and the
// operators' audit search (actions as hub/api.cc and hub/chart.cc record them).

import {h} from '../dom.js';
import {t} from '../i18n.js';
import {STRINGS} from '../strings.js';

export function actionLabel(action) {
  const key = `action.${action}`;
  return STRINGS[key] ? `${t(key)} (${action})` : String(action || '');
}

// "allow" / "deny" as a mark and a word (not colour alone).
export function decisionCell(decision) {
  const allowed = decision === 'allow';
  return h('span', {class: ['decision', allowed ? 'allow' : 'deny']},
    h('span', {'aria-hidden': 'true'}, allowed ? '✓ ' : '✕ '), t(allowed ? 'audit.allow' : 'audit.deny'));
}
