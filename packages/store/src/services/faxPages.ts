// Fax pages as their own namespace (`faxPages.add/list/get/deleteAll`).
export type { FaxPage, FaxPageInfo, NewFaxPage } from './faxes.js';
export { addPage as add, deletePages as deleteAll, getPage as get, listPages as list } from './faxes.js';
