/** Search attributes respond sets, so the web UI can filter runs. Values never hold secrets. */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const RUNBOOK = defineSearchAttributeKey('RespondRunbook', SearchAttributeType.KEYWORD);
export const INCIDENT = defineSearchAttributeKey('RespondIncident', SearchAttributeType.KEYWORD);
export const CURRENT_STEP = defineSearchAttributeKey('RespondStep', SearchAttributeType.KEYWORD);
export const PHASE = defineSearchAttributeKey('RespondPhase', SearchAttributeType.KEYWORD);
/** On each host's child workflow of a fleet run. */
export const HOST = defineSearchAttributeKey('RespondHost', SearchAttributeType.KEYWORD);

/** For `temporal server start-dev --search-attribute` and `temporal operator search-attribute create`. */
export const SEARCH_ATTRIBUTES: Record<string, 'Keyword'> = {
  RespondRunbook: 'Keyword',
  RespondIncident: 'Keyword',
  RespondStep: 'Keyword',
  RespondPhase: 'Keyword',
  RespondHost: 'Keyword',
};
