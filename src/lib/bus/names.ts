/**
 * Everything pitwall puts on a NATS JetStream bus is named here (docs/scale-out.md, "Names"):
 *
 *   stream PITWALL, subjects pitwall.in.<run>.<actor>.batch   TRANSITION_BATCH frames, de-duplicated by batch id
 *                            pitwall.in.<run>.<actor>.event   EPISODE_SUMMARY, LAP and TRACK frames
 *     work-queue retention: a message stays until the run's learner acks it, which it does once a
 *     saved checkpoint holds it (trained on, held, or dropped and counted)
 *   core subjects            pitwall.live.<run>.<actor>       TELEMETRY(_BATCH) frames for the live view (not stored)
 *                            pitwall.cmd.<run>.<actor>        learner → the actor's gateway: a frame to send, or a close
 *   KV bucket pitwall        <run>.run                        the run's specs and algorithm (the learner's)
 *                            <run>.weights                    the newest policy version (the blob is in the object store)
 *                            <run>.hello.<actor>              the actor's HANDSHAKE (token removed), kept for the run: the
 *                                                             learner reads it for an actor it meets first in the stream
 *                            <run>.actor.<actor>.<session>    a connected actor: its HANDSHAKE and figures (its gateway's)
 *                            <run>.durable.<actor>            the actor's highest seq in the learner's last checkpoint
 *   object store pitwall-weights, object <run>                the newest WEIGHTS_UPDATE frame
 *   durable consumer         learner-<run>                    the run's learner
 *
 * Runs are isolated by subject: a learner reads only its run's subjects and a gateway serves one run.
 */

export const STREAM = 'PITWALL';
export const KV_BUCKET = 'pitwall';
export const OBJECT_BUCKET = 'pitwall-weights';
/** The header that carries a stored batch's seq (the gateway reads it back for an actor's handshake). */
export const SEQ_HEADER = 'Pitwall-Seq';
/** On a pitwall.cmd message: close the actor's connection with this code (the body is the reason). */
export const CLOSE_HEADER = 'Pitwall-Close';

const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;
const PLAIN_ACTOR = /^[A-Za-z0-9_-]{1,64}$/;

/** Why `runId` cannot name subjects and keys, or undefined when it can. */
export function runIdProblem(runId: string): string | undefined {
	return RUN_ID.test(runId) ? undefined : `run id "${runId}" cannot be used on the bus: 1–64 of A–Z a–z 0–9 _ -`;
}

/**
 * An actor id as one subject token and key part: itself when it is plain (letters, digits, _ -),
 * otherwise `=` and its UTF-8 bytes in hex (no plain id starts with `=`, so the two never collide).
 */
export function actorToken(actorId: string): string {
	return PLAIN_ACTOR.test(actorId) ? actorId : `=${Buffer.from(actorId, 'utf8').toString('hex')}`;
}

export function actorIdOf(token: string): string {
	return token.startsWith('=') ? Buffer.from(token.slice(1), 'hex').toString('utf8') : token;
}

export const subjects = {
	stream: 'pitwall.in.>',
	/** Everything of a run the learner consumes (its consumer's filter). */
	runIn: (run: string) => `pitwall.in.${run}.>`,
	batch: (run: string, actor: string) => `pitwall.in.${run}.${actor}.batch`,
	event: (run: string, actor: string) => `pitwall.in.${run}.${actor}.event`,
	live: (run: string, actor: string) => `pitwall.live.${run}.${actor}`,
	liveAll: (run: string) => `pitwall.live.${run}.*`,
	command: (run: string, actor: string) => `pitwall.cmd.${run}.${actor}`,
	commandAll: (run: string) => `pitwall.cmd.${run}.*`
};

export const keys = {
	run: (run: string) => `${run}.run`,
	weights: (run: string) => `${run}.weights`,
	actorSession: (run: string, actor: string, sessionId: string) => `${run}.actor.${actor}.${sessionId}`,
	/** Every session record of one actor, or (without `actor`) of the run. */
	actorSessions: (run: string, actor?: string) => (actor ? `${run}.actor.${actor}.*` : `${run}.actor.>`),
	durable: (run: string, actor: string) => `${run}.durable.${actor}`,
	hello: (run: string, actor: string) => `${run}.hello.${actor}`
};

export const consumerName = (run: string) => `learner-${run}`;

/** A batch's de-duplication id: a resend or a gateway's retry of one batch is stored once. */
export const batchMsgId = (run: string, actor: string, seq: number) => `${run}/${actor}/${seq}`;

/** The `n`-th event (episode, lap, track) of a session: a gateway's retry of it is stored once. */
export const eventMsgId = (run: string, actor: string, sessionId: string, n: number) => `${run}/${actor}/${sessionId}/${n}`;

/** `<run>.actor.<actor>.<session>` → the actor's token and the session. */
export function parseActorKey(key: string): { actor: string; sessionId: string } | undefined {
	const parts = key.split('.');
	return parts.length === 4 && parts[1] === 'actor' ? { actor: parts[2], sessionId: parts[3] } : undefined;
}

/** The last token of a subject (`pitwall.in.<run>.<actor>.<kind>` → kind), and the actor's. */
export function parseInSubject(subject: string): { actor: string; kind: string } | undefined {
	const parts = subject.split('.');
	if (parts.length !== 5 || parts[0] !== 'pitwall' || parts[1] !== 'in') return undefined;
	return { actor: parts[3], kind: parts[4] };
}
