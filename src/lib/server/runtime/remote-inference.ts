/**
 * Remote inference for actors in `remote` mode (the seed's chunked control): a TELEMETRY with a
 * request id and an obs gets a CONTROL_BATCH of `controlChunk` actions sampled from the current
 * policy, one round trip per chunk. Runs the pure-TS forward pass on the socket thread (a batch-1
 * pass is ~13 µs); without a policy yet it stays silent and the agent's dead-man keeps the car neutral.
 */
import { ErrorCode, MessageType, ProtocolError, type Telemetry, type WeightsUpdate } from '../../protocol/index.ts';
import type { Rng } from '../../ppo/random.ts';
import { policyFromWeights, type ActorPolicy } from '../../policy/index.ts';
import type { ActorEntry } from './actors.ts';

export class RemoteInference {
	private policy: { version: number; forward: ActorPolicy } | undefined;

	constructor(
		private readonly weights: () => WeightsUpdate | undefined,
		private readonly controlChunk: number,
		private readonly rng: Rng
	) {}

	answer(entry: ActorEntry, message: Telemetry): void {
		const weights = this.weights();
		if (!weights || !message.obs) return;
		if (message.obs.length !== entry.hello.obsSpec.dim)
			throw new ProtocolError(ErrorCode.INVALID_FIELD, `obs has ${message.obs.length} values, spec ${entry.hello.obsSpec.dim}`);
		const version = weights.manifest.policyVersion;
		if (this.policy?.version !== version) this.policy = { version, forward: policyFromWeights(weights) };
		const { forward } = this.policy;
		const k = this.controlChunk;
		const actionDim = entry.hello.actionSpec.dim;
		const actions = new Float32Array(k * actionDim);
		const logProb = new Float32Array(k);
		const value = new Float32Array(k);
		for (let i = 0; i < k; i++) {
			const step = forward.act(message.obs, this.rng);
			actions.set(step.action, i * actionDim);
			logProb[i] = step.logProb;
			value[i] = step.value;
		}
		entry.link.send({ type: MessageType.CONTROL_BATCH, requestId: message.requestId, policyVersion: version, k, actionDim, actions, logProb, value });
		entry.sentVersion = version;
	}
}
