/** Every action_id / callback_id the app uses, in one place (the manifest's shortcut callback id too). */
export const IDS = {
  // message shortcut (manifest.yml)
  shortcutAddToTimeline: 'add_to_timeline',
  // modals
  declareModal: 'declare_incident_modal',
  updateModal: 'post_update_modal',
  // buttons
  actionDone: 'action_done',
  markMitigated: 'mark_mitigated',
  openDeclareModal: 'open_declare_modal',
  // modal inputs
  inputTitle: 'title',
  inputSeverity: 'severity',
  inputService: 'service',
  inputDescription: 'description',
  inputUpdate: 'update_text',
} as const;

/** Metadata event type put on every message we post, so a retried post can find the first one. */
export const EFFECT_METADATA_TYPE = 'revenant_effect';
