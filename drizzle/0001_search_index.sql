-- Full-text index over the names, guest host names and IPs of every object, for "where is …".
-- The trigram tokenizer gives substring matches on any 3+ characters; vMiner fills it at sync time.
CREATE VIRTUAL TABLE `search_index` USING fts5(
	`name`,
	`extra`,
	`entity` UNINDEXED,
	`vcenter_id` UNINDEXED,
	`moid` UNINDEXED,
	tokenize = 'trigram'
);
