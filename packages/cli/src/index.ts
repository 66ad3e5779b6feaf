// @kzoo/cli — filled in by its issue.
export {};
