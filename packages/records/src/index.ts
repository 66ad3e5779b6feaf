// @kzoo/records — filled in by its issue.
export {};
