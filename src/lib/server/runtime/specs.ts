/** Whether an actor's observation and action specs fit the run's. */
import type { Handshake, TransitionBatch, VectorSpec } from '../../protocol/index.ts';

function differs(name: string, expected: VectorSpec, given: VectorSpec): string | undefined {
	if (expected.dim !== given.dim) return `${name} has ${given.dim} dimensions, the run has ${expected.dim}`;
	for (let i = 0; i < expected.dim; i++) {
		if (expected.names[i] !== given.names[i]) return `${name}[${i}] is "${given.names[i]}", the run has "${expected.names[i]}"`;
		if (!Object.is(expected.low[i], given.low[i]) || !Object.is(expected.high[i], given.high[i])) {
			return `${name}[${i}] bounds [${given.low[i]}, ${given.high[i]}] differ from the run's [${expected.low[i]}, ${expected.high[i]}]`;
		}
	}
	return undefined;
}

/** A reason to refuse the actor, or undefined when its specs match. */
export function specMismatch(obsSpec: VectorSpec, actionSpec: VectorSpec, hello: Handshake): string | undefined {
	return differs('obs', obsSpec, hello.obsSpec) ?? differs('action', actionSpec, hello.actionSpec);
}

/** A reason to refuse a batch whose dimensions are not its actor's handshake's, or undefined. */
export function batchMismatch(hello: Handshake, batch: TransitionBatch): string | undefined {
	if (batch.obsDim === hello.obsSpec.dim && batch.actionDim === hello.actionSpec.dim) return undefined;
	return `batch dims ${batch.obsDim}/${batch.actionDim} differ from the handshake's`;
}
