/** The TRACK message an agent sends for its track: the centre line thinned for the wire, three sectors. */
import type { TrackDescription } from '../../../src/lib/protocol/index.ts';
import type { Track } from './track.ts';

/** Sector boundaries (lap fractions): three equal sectors. */
export const SECTOR_BOUNDARIES: readonly number[] = [1 / 3, 2 / 3];
/** Most centre-line points sent (a 20 km track: one every 10 m). */
export const MAX_SENT_POINTS = 2048;

export function describeTrack(track: Track): Omit<TrackDescription, 'type'> {
	const stride = Math.ceil(track.points / MAX_SENT_POINTS);
	const n = Math.floor(track.points / stride);
	const x = new Float32Array(n);
	const z = new Float32Array(n);
	for (let i = 0; i < n; i++) {
		x[i] = track.x[i * stride];
		z[i] = track.y[i * stride]; // the track's y is AC's z (carCoordinates[2])
	}
	return { name: track.name, lengthM: track.length, halfWidthM: track.halfWidth, x, z, sectors: [...SECTOR_BOUNDARIES] };
}
