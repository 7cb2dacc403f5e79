// The order-fulfilment job, as it runs locally: packs one order from what its trigger took from
// the event or the message (ORDER_ID, ORDER_TOTAL, FIRST_SKU), and says where it came from.
const { ORDER_ID, ORDER_TOTAL, FIRST_SKU, LONGSHORE_TRIGGER, LONGSHORE_EVENT_ID, LONGSHORE_MESSAGE_ID } = process.env;
if (!ORDER_ID) {
  console.error('order-fulfilment: no ORDER_ID in the environment');
  process.exit(64);
}
const from = LONGSHORE_TRIGGER === 'sqs' ? `message ${LONGSHORE_MESSAGE_ID}` : `event ${LONGSHORE_EVENT_ID}`;
console.log(`order-fulfilment: packed order ${ORDER_ID} (total ${ORDER_TOTAL}, first item ${FIRST_SKU}) from ${from}`);
