import { error, json } from '@sveltejs/kit';
import { runtime } from '$lib/server/api';

export const DELETE = ({ params }) => {
	if (!runtime().alerts.dismiss(Number(params.id))) error(404, `no alert ${params.id}`);
	return json({ dismissed: Number(params.id) });
};
