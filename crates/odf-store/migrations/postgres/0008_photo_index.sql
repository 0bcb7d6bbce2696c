-- Photos (`/v1/photos/{sha256}`): who may send or read a photo is found from the visits that name
-- it, so that lookup needs an index. Partial: most visits carry no photo.
-- Never edit this file once applied: add a new numbered migration instead.
CREATE INDEX visits_by_photo ON visits (photo_sha256, village_code) WHERE photo_sha256 IS NOT NULL;
