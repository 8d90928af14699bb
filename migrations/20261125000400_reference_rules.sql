-- Reference data the rules speak of. Rows carry their legal reference and validity dates so
-- that a later regulation adds rows instead of rewriting history. Admin pages for them come
-- with the intake work; the defaults below are from Decree 45/2012/NĐ-CP.

-- Eligible sectors: Decree 45 Art. 5.1, points a–g.
create table sectors (
    code text primary key check (code ~ '^[a-z0-9_]{1,40}$'),
    name_vi text not null,
    name_en text not null,
    legal_ref text not null,
    valid_from date,
    valid_to date,
    sort_order integer not null
);

insert into sectors (code, name_vi, name_en, legal_ref, sort_order) values
    ('agro_processing', 'Chế biến nông - lâm - thủy sản và chế biến thực phẩm',
        'Agro-forestry-fishery and food processing', 'Nghị định 45/2012/NĐ-CP, Điều 5.1.a', 1),
    ('consumer_goods', 'Sản xuất hàng công nghiệp phục vụ tiêu dùng, xuất khẩu, thay thế hàng nhập khẩu',
        'Consumer, export and import-substitution goods', 'Nghị định 45/2012/NĐ-CP, Điều 5.1.b', 2),
    ('chemicals_building_materials', 'Hóa chất phục vụ nông nghiệp, nông thôn; sản xuất vật liệu xây dựng',
        'Agricultural chemicals; construction materials', 'Nghị định 45/2012/NĐ-CP, Điều 5.1.c', 3),
    ('mechanical_electrical', 'Cơ khí, điện, điện tử - tin học; gia công chi tiết, bán thành phẩm; công nghiệp hỗ trợ',
        'Mechanical, electrical and electronic products and parts; supporting industry',
        'Nghị định 45/2012/NĐ-CP, Điều 5.1.d', 4),
    ('handicrafts', 'Sản xuất hàng tiểu thủ công nghiệp',
        'Handicrafts', 'Nghị định 45/2012/NĐ-CP, Điều 5.1.đ', 5),
    ('mining_difficult_areas', 'Khai thác, chế biến khoáng sản tại địa bàn có điều kiện kinh tế - xã hội khó khăn',
        'Mining and mineral processing in disadvantaged areas', 'Nghị định 45/2012/NĐ-CP, Điều 5.1.e', 6),
    ('cleaner_production', 'Sản xuất sạch hơn; xử lý ô nhiễm môi trường tại cụm công nghiệp, cơ sở CNNT',
        'Cleaner production; pollution treatment', 'Nghị định 45/2012/NĐ-CP, Điều 5.1.g', 7);

-- Activity types: Decree 45 Art. 4 groups 1–9, with group 3 split into the subtypes that
-- carry different caps (demonstration model, technology transfer, machinery, pilot).
create table activity_types (
    code text primary key check (code ~ '^[a-z0-9_]{1,40}$'),
    group_no smallint not null check (group_no between 1 and 9),
    name_vi text not null,
    name_en text not null,
    legal_ref text not null,
    valid_from date,
    valid_to date,
    sort_order integer not null
);

insert into activity_types (code, group_no, name_vi, name_en, legal_ref, sort_order) values
    ('training', 1, 'Đào tạo nghề, truyền nghề', 'Vocational training and craft transmission',
        'Nghị định 45/2012/NĐ-CP, Điều 4.1', 10),
    ('management_capacity', 2, 'Nâng cao năng lực quản lý; sản xuất sạch hơn',
        'Management capacity; cleaner production', 'Nghị định 45/2012/NĐ-CP, Điều 4.2', 20),
    ('demonstration_model', 3, 'Xây dựng mô hình trình diễn kỹ thuật',
        'Technical demonstration model', 'Nghị định 45/2012/NĐ-CP, Điều 4.3', 30),
    ('technology_transfer', 3, 'Chuyển giao công nghệ',
        'Technology transfer', 'Nghị định 45/2012/NĐ-CP, Điều 4.3', 31),
    ('machinery', 3, 'Hỗ trợ ứng dụng máy móc tiên tiến, tiến bộ khoa học kỹ thuật',
        'Application of advanced machinery', 'Nghị định 45/2012/NĐ-CP, Điều 4.3', 32),
    ('cleaner_production_pilot', 3, 'Mô hình thí điểm áp dụng sản xuất sạch hơn',
        'Cleaner-production pilot model', 'Nghị định 45/2012/NĐ-CP, Điều 4.3', 33),
    ('typical_products_trade', 4, 'Phát triển sản phẩm CNNT tiêu biểu; hội chợ, triển lãm; xúc tiến thương mại',
        'Typical rural-industrial products; fairs and trade promotion', 'Nghị định 45/2012/NĐ-CP, Điều 4.4', 40),
    ('advisory', 5, 'Tư vấn, trợ giúp cơ sở công nghiệp nông thôn',
        'Advisory services', 'Nghị định 45/2012/NĐ-CP, Điều 4.5', 50),
    ('information', 6, 'Cung cấp thông tin, tuyên truyền',
        'Information and communication', 'Nghị định 45/2012/NĐ-CP, Điều 4.6', 60),
    ('linkage_clusters', 7, 'Liên doanh, liên kết, phát triển cụm công nghiệp',
        'Business linkage and industrial clusters', 'Nghị định 45/2012/NĐ-CP, Điều 4.7', 70),
    ('international', 8, 'Hợp tác quốc tế về khuyến công',
        'International cooperation', 'Nghị định 45/2012/NĐ-CP, Điều 4.8', 80),
    ('programme_management', 9, 'Nâng cao năng lực quản lý, tổ chức thực hiện hoạt động khuyến công',
        'Programme management capacity', 'Nghị định 45/2012/NĐ-CP, Điều 4.9', 90);
