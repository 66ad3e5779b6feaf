// @kzoo/protocol — filled in by its issue.
export {};
