/** Placeholder until the DynamoDB engine is wired (launch path issue). */
export default async function setup(): Promise<void> {}
