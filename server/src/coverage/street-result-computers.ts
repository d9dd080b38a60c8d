import { summarizeScorecards } from '../../../core/coverage.ts';
import { coverageGaps, coverageProposals, type GapOptions, type ProposalOptions } from './repository.ts';
import { scorecards } from './scorecard.ts';
import type { StreetResultComputers } from './street-results.ts';

/** How the kept street answers are computed: the same calls the routes make. */
export const STREET_RESULT_COMPUTERS: StreetResultComputers = {
  gaps: (db, street, o) => coverageGaps(db, street, o as unknown as GapOptions),
  proposals: (db, street, o) => coverageProposals(db, street, o as unknown as ProposalOptions),
  scorecards: async (db, street, o) => {
    const cards = await scorecards(db, { street });
    return o.summary ? summarizeScorecards(cards) : cards;
  },
};
