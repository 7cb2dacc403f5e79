/** Names shared by the task definition (build time) and the RunTask overrides (run time). */
export const MAIN_CONTAINER_NAME = 'main';
