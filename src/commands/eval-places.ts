export const evalPlacesCommand = { summary: '', usage: '', async run() { return {}; } };
