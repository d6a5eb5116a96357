import { POORT_FOUTCODE, STATUS, type StatusInput } from '@poort/contracts';

/**
 * The status a message gets when the sweeper finds it without progress past its deadline: the technical-problem
 * code of the step that should have come next, final, with PROCESSING_STUCK. So no accepted message stays without a
 * final status, and an operator sees which step to look at.
 */
export function stuckStatus(lastStatuscode: string, lastStatusAt: Date): StatusInput {
  const code = NEXT_STEP_PROBLEM[lastStatuscode] ?? STATUS.technischeFoutAflevering;
  return {
    code,
    scope: 'stuck',
    final: true,
    fout: {
      foutcode: POORT_FOUTCODE.vastgelopen,
      foutbeschrijving: `geen voortgang sinds ${lastStatusAt.toISOString()} na status ${lastStatuscode}; het bericht is bij beheer gemeld`,
    },
  };
}

const NEXT_STEP_PROBLEM: Readonly<Record<string, StatusInput['code']>> = {
  [STATUS.ontvangen]: STATUS.technischeFoutAutorisatie,
  [STATUS.aangebodenVoorVerwerking]: STATUS.technischeFoutAutorisatie,
  [STATUS.geautoriseerd]: STATUS.technischeFoutValidatie,
  [STATUS.gevalideerd]: STATUS.technischeFoutValidatie,
  [STATUS.afleveringBezig]: STATUS.technischeFoutAflevering,
  [STATUS.technischeFoutAflevering]: STATUS.technischeFoutAflevering,
};
