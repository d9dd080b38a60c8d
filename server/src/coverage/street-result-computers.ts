import { coverageGaps, coverageProposals, type GapOptions, type ProposalOptions } from './repository.ts';
import { scorecards } from './scorecard.ts';
import type { StreetResultComputers } from './street-results.ts';

/** How the kept street answers are computed: the same calls the routes make. */
export const STREET_RESULT_COMPUTERS: StreetResultComputers = {
  gaps: (db, street, o) => coverageGaps(db, street, o as unknown as GapOptions),
  proposals: (db, street, o) => coverageProposals(db, street, o as unknown as ProposalOptions),
  scorecards: (db, street) => scorecards(db, { street }),
};
