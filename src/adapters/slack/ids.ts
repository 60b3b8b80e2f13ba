import { DIGEST_ACTIONS } from '../../watchlist/digest.blocks';

/** Every action_id / callback_id the app uses, in one place (the manifest's shortcut callback id too). */
export const IDS = {
  // message shortcut (manifest.yml)
  shortcutAddToTimeline: 'add_to_timeline',
  // modals
  declareModal: 'declare_incident_modal',
  updateModal: 'post_update_modal',
  // buttons
  actionDone: 'action_done',
  actionExport: 'action_export',
  markMitigated: 'mark_mitigated',
  openDeclareModal: 'open_declare_modal',
  postmortemDraft: 'postmortem_draft',
  postmortemCreatePr: 'postmortem_create_pr',
  postmortemRegenerate: 'postmortem_regenerate',
  postmortemDownload: 'postmortem_download',
  // watchlist digest buttons (each gets an `:<index>` suffix in a message) and reminder buttons
  watchDeclare: DIGEST_ACTIONS.declare,
  watchClear: DIGEST_ACTIONS.clear,
  watchOpenChannel: DIGEST_ACTIONS.open,
  reminderPostUpdate: 'reminder_post_update',
  reminderSnooze: 'reminder_snooze',
  // modal inputs
  inputTitle: 'title',
  inputSeverity: 'severity',
  inputService: 'service',
  inputDescription: 'description',
  inputUpdate: 'update_text',
} as const;

/** Metadata event type put on every message we post, so a retried post can find the first one. */
export const EFFECT_METADATA_TYPE = 'revenant_effect';
