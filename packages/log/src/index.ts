// @kzoo/log — filled in by its issue.
export {};
